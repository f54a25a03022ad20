/* Functions that are easy to misuse become compile errors (git's banned.h).
 * Included last by every .c file through core/common.h. */
#ifndef RP_BANNED_H
#define RP_BANNED_H

#define RP_BANNED(func) sorry_##func##_is_banned_in_rapport

#undef strcpy
#define strcpy(x, y) RP_BANNED(strcpy)
#undef strcat
#define strcat(x, y) RP_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) RP_BANNED(strncpy)
#undef sprintf
#define sprintf(...) RP_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) RP_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) RP_BANNED(strtok)
#undef atoi
#define atoi(x) RP_BANNED(atoi)
#undef atol
#define atol(x) RP_BANNED(atol)
#undef atof
#define atof(x) RP_BANNED(atof)
#undef sscanf
#define sscanf(...) RP_BANNED(sscanf)
#undef gets
#define gets(x) RP_BANNED(gets)
#undef gmtime
#define gmtime(x) RP_BANNED(gmtime)
#undef localtime
#define localtime(x) RP_BANNED(localtime)

#endif
