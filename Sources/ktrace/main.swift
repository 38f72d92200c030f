import TracerEngine

let options = Options.parse(CommandLine.arguments)
if !options.command.isEmpty {
    Launcher.run(options)
}
Diagnostics.errx(1, "-p, -g, -c and -C are not implemented yet")
