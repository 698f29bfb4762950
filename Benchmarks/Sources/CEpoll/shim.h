// Linux's epoll, which Swift's Glibc module leaves out; the load generator's lean engine uses it.
#ifdef __linux__
#include <sys/epoll.h>
#endif
