using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Shop.Demo;

/// <summary>Starts a shop service's own program, from the build output it was copied into beside this assembly.</summary>
public static class ServiceProcess
{
    /// <summary>
    /// How to run <c>Shop.{service}.dll</c> from <paramref name="directory"/> (by default this program's own) with the
    /// running .NET, or null when it is not there (a tool package that left it out).
    /// </summary>
    public static ProcessStartInfo? Find(string service, string? directory = null)
    {
        directory ??= AppContext.BaseDirectory;
        var program = Path.Combine(directory, $"Shop.{service}.dll");
        if (!File.Exists(program) || !File.Exists(Path.ChangeExtension(program, ".runtimeconfig.json")))
        {
            return null;
        }

        var start = new ProcessStartInfo(DotnetHost());
        start.ArgumentList.Add(program);
        return start;
    }

    // The dotnet host of the runtime this process runs on: <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet.
    private static string DotnetHost()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        return Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
    }
}
