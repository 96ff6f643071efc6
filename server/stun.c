/* placeholder: stun.c not written yet */
