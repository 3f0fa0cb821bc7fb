using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Herald.Testing;

/// <summary>Compiles a guide's C# blocks, each a whole file, together against the test's own assemblies: a guide cannot rot.</summary>
internal static partial class GuideCompiler
{
    /// <returns>The blocks found, and the compiler's errors (none when the guide compiles).</returns>
    public static (int Blocks, IReadOnlyList<string> Errors) Compile(string guidePath)
    {
        var (blocks, errors, _) = Build(guidePath);
        return (blocks, errors);
    }

    /// <summary>The guide's blocks built into an assembly loaded in this process, so a test can run its types.</summary>
    public static System.Reflection.Assembly Load(string guidePath)
    {
        var (_, errors, image) = Build(guidePath);
        return errors.Count == 0 ? System.Reflection.Assembly.Load(image) : throw new InvalidOperationException(string.Join("\n", errors));
    }

    private static (int Blocks, IReadOnlyList<string> Errors, byte[] Image) Build(string guidePath)
    {
        var guide = File.ReadAllText(guidePath);
        var blocks = CSharpBlock().Matches(guide).Select(m => m.Groups["code"].Value).ToList();
        var name = Path.GetFileName(guidePath);
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        const string ImplicitUsings = "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Threading; global using System.Threading.Tasks;";
        var trees = blocks.Select((code, i) => CSharpSyntaxTree.ParseText(code, options, path: $"{name} block {i + 1}"))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, options, path: "usings"));
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
            .DistinctBy(Path.GetFileName)
            .Where(path => !Path.GetFileName(path).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create("Guide", trees, references, new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        using var output = new MemoryStream();
        var result = compilation.Emit(output);
        return (blocks.Count, [.. result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString())], output.ToArray());
    }

    [GeneratedRegex("```csharp\\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
