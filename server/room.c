/* placeholder: room.c not written yet */
