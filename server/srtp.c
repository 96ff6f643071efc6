/* placeholder: srtp.c not written yet */
