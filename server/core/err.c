/* err.c - messages and names for the codes in err.h. */
#include "err.h"

const char *veche_strerror(int code)
{
    switch (code) {
#define VECHE_ERR_MSG(name, c, msg) case c: return msg;
    VECHE_ERRORS(VECHE_ERR_MSG)
#undef VECHE_ERR_MSG
    }
    return "unknown error";
}

const char *veche_errname(int code)
{
    switch (code) {
#define VECHE_ERR_NAME(name, c, msg) case c: return #name;
    VECHE_ERRORS(VECHE_ERR_NAME)
#undef VECHE_ERR_NAME
    }
    return "EUNKNOWN";
}
