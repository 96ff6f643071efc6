/* placeholder: participant.c not written yet */
