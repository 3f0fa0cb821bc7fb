// The `herald` command line. The broker, its listener and the other commands arrive with the broker issue;
// until then `serve` says so plainly instead of pretending to run.
const string Usage = """
    Usage: herald <command>

    Commands:
      serve     Run the Herald broker (data in ./data). Not available yet: the broker is being built.
      --help    Show this help.
    """;

if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 1 : 0;
}

if (args[0] == "serve")
{
    Console.Error.WriteLine("herald serve: the broker is not built yet; only the storage engine (Herald.Storage) exists so far.");
    return 3;
}

Console.Error.WriteLine($"herald: unknown command '{args[0]}'.");
Console.Error.WriteLine(Usage);
return 1;
