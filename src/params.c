#include "concbench/params.h"

#include <string.h>

void cb_params_default(struct cb_params *p)
{
    memset(p, 0, sizeof *p);
    p->iterations = 10000000u;   /* the classic demo counts to 10^7 */
    p->sleep_ns = 100000000u;    /* 100 ms */
    p->fib_n = 30;
}

uint64_t cb_params_get(const struct cb_params *p, const struct cb_param_desc *d)
{
    uint64_t v;

    memcpy(&v, (const char *)p + d->offset, sizeof v);
    return v;
}

void cb_params_set(struct cb_params *p, const struct cb_param_desc *d, uint64_t v)
{
    memcpy((char *)p + d->offset, &v, sizeof v);
}
