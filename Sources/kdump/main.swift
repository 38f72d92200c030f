#if canImport(Glibc)
import Glibc
#endif
import KdumpCore

exit(Kdump.main(Array(CommandLine.arguments.dropFirst())))
