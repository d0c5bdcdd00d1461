import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs `args` (an absolute program path first) with stdin from /dev/null and stdout and
/// stderr to `output`, and returns its exit status (128 + N when signal N ended it).
/// posix_spawn and waitpid directly, beside Foundation's Process.
func spawnAndWait(_ args: [String], output: String) -> Int32 {
    let pid = spawn(args, output: output)
    guard pid > 0 else { return -1 }
    return waitForChild(pid)
}

/// Starts `args` as `spawnAndWait` does and returns its pid (-1 when it could not start).
/// clickhouse-server is started this way too: as a Foundation Process child it kept
/// Foundation from seeing any other child end.
func spawn(_ args: [String], output: String) -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var pid: pid_t = 0
    let argv = args.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    guard posix_spawn(&pid, args[0], &actions, nil, argv, environ) == 0 else { return -1 }
    return pid
}

/// The exit status of a child started by `spawn`, once it has ended.
func waitForChild(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        guard errno == EINTR else { return -1 }
    }
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}
