using Herald.Cli;

return await HeraldCli.RunAsync(args, Console.In, Console.Out, Console.Error);
