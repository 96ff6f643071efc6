/* placeholder: transport.c not written yet */
