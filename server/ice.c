/* placeholder: ice.c not written yet */
