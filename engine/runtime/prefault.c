/* Prefault the engine's writable memory; see prefault.h. */
#include "engine/runtime/prefault.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "shm/err.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

int tf_prefault_writable(uint64_t max_region, tf_prefault_result *out)
{
    *out = (tf_prefault_result){0};
    void *probe = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (probe == MAP_FAILED)
        return TF_ERR("prefault: mmap: %s", strerror(errno));
    int supported = madvise(probe, 4096, MADV_POPULATE_WRITE) == 0;
    munmap(probe, 4096);
    if (!supported)
        return TF_ERR("prefault: MADV_POPULATE_WRITE: %s (Linux 5.14 and later)", strerror(errno));
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return TF_ERR("prefault: /proc/self/maps: %s", strerror(errno));
    char line[512];
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[0] != 'r' || perms[1] != 'w')
            continue;
        /* The kernel's own special mappings (the vDSO's data, io_uring's
         * rings) refuse or need nothing; a guard or huge reservation is
         * not ours to fill. */
        if (strstr(line, "[vvar") || strstr(line, "[vsyscall]") || hi - lo > max_region) {
            out->skipped++;
            continue;
        }
        if (madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE) != 0) {
            out->skipped++; /* EINVAL/EFAULT on a PFN or I/O mapping: the kernel's, not ours */
            continue;
        }
        out->regions++;
        out->bytes += hi - lo;
    }
    fclose(f);
    return 0;
}
