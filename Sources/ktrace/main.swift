import TracerEngine

let options = Options.parse(CommandLine.arguments)
if options.command.isEmpty {
    Controller.run(options)
}
Launcher.run(options)
