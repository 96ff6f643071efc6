/* placeholder: tlscert.c not written yet */
