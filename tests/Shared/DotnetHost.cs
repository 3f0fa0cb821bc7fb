namespace Herald.Testing;

/// <summary>The dotnet executable that runs these tests, for starting the programs under test as child processes.</summary>
internal static class DotnetHost
{
    public static string Path
    {
        get
        {
            var current = Environment.ProcessPath;
            return current is not null && System.IO.Path.GetFileNameWithoutExtension(current) == "dotnet"
                ? current
                : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        }
    }
}
