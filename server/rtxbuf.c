/* placeholder: rtxbuf.c not written yet */
