/* placeholder: rtp.c not written yet */
