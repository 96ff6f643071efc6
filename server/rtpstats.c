/* placeholder: rtpstats.c not written yet */
