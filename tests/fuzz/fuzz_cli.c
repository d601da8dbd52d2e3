/* libFuzzer target: the argument parser. The input is split at NUL bytes
 * into arguments after "concbench"; any argv must parse or give one error
 * line, never crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "concbench/cli.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1), *argv[MAX_ARGS + 2], *p;
    struct cb_config cfg;
    struct cb_error err = { "" };
    enum cb_command cmd;
    int argc = 0;

    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    argv[argc++] = (char *)(uintptr_t)"concbench";
    for (p = copy; argc <= MAX_ARGS && p <= copy + size; p += strlen(p) + 1)
        argv[argc++] = p;
    argv[argc] = NULL;
    if (cb_cli_parse(argc, argv, &cfg, &cmd, &err) != 0 &&
        (err.msg[0] == '\0' || strchr(err.msg, '\n')))
        __builtin_trap();
    free(copy);
    return 0;
}
