public enum KdumpCorePlaceholder {}
