public enum TracerEnginePlaceholder {}
