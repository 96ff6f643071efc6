/* placeholder: rtcp.c not written yet */
