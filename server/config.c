/* placeholder: config.c not written yet */
