/* Time zones for SLA calendars, from the system tz database through libical (already
 * the calendar module's dependency). localtime_r follows the process's TZ variable,
 * which one thread cannot change for itself; libical reads a zone's rules from the
 * system zoneinfo once and answers offsets for any zone. Its zones expand their
 * transitions lazily into shared arrays, which is not safe from several threads at
 * once (libical issue 86), so every call into them holds one lock: an offset is a
 * binary search in an expanded array, held for microseconds. */
#include "core/common.h"

#include <pthread.h>

#include <libical/ical.h>

#include "mod/service/service.h"

static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;

const void *svc_zone(const char *name)
{
    if (!name || !*name)
        return NULL;
    pthread_mutex_lock(&zone_lock);
    icaltimezone *z = strcmp(name, "UTC") == 0 ? icaltimezone_get_utc_timezone()
                                               : icaltimezone_get_builtin_timezone(name);
    pthread_mutex_unlock(&zone_lock);
    return z;
}

int svc_zone_offset(const void *zone, int64_t utc_s)
{
    icaltimezone *z = (icaltimezone *)(uintptr_t)zone;
    pthread_mutex_lock(&zone_lock);
    struct icaltimetype t =
        icaltime_from_timet_with_zone((time_t)utc_s, 0, icaltimezone_get_utc_timezone());
    int dst = 0;
    int off = icaltimezone_get_utc_offset_of_utc_time(z, &t, &dst);
    pthread_mutex_unlock(&zone_lock);
    return off;
}
