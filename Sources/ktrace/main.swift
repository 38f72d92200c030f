import TracerEngine

Ktrace.main(CommandLine.arguments)
