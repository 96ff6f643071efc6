/* placeholder: log.c not written yet */
