/* placeholder: http.c not written yet */
