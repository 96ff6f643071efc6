/* placeholder: signal.c not written yet */
