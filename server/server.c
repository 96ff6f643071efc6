/* placeholder: server.c not written yet */
