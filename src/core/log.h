/* One line per event on stderr. LOG checks the level before evaluating arguments.
 * Never log bodies, passwords, tokens, e-mails or names: log ids. */
#ifndef RP_LOG_H
#define RP_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

extern enum log_level log_min_level;

void log_set_level(enum log_level level);
void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define LOG(level, ...)                                                                \
    do {                                                                               \
        if ((level) >= log_min_level)                                                  \
            log_write((level), __VA_ARGS__);                                           \
    } while (0)

#endif
