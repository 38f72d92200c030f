import KdumpCore
