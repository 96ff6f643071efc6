/* placeholder: dtls.c not written yet */
