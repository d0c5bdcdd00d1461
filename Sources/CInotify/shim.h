#include <sys/inotify.h>
#include <fcntl.h>
#include <unistd.h>

// pipe2 is hidden behind _GNU_SOURCE in glibc's headers; declare it for Swift.
int pipe2(int pipefd[2], int flags);
