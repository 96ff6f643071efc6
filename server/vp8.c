/* placeholder: vp8.c not written yet */
