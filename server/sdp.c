/* placeholder: sdp.c not written yet */
