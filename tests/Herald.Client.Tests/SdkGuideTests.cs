using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Herald.Client.Tests;

/// <summary>docs/sdk.md's C# blocks, each a whole file, compile together against Herald.Client: the guide cannot rot.</summary>
public sealed partial class SdkGuideTests
{
    [Fact]
    public void Every_csharp_block_in_the_guide_compiles()
    {
        var guide = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "sdk.md"));
        var blocks = CSharpBlock().Matches(guide).Select(m => m.Groups["code"].Value).ToList();
        Assert.True(blocks.Count >= 8, $"Found only {blocks.Count} C# blocks.");

        var options = new CSharpParseOptions(LanguageVersion.Latest);
        const string ImplicitUsings = "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Threading; global using System.Threading.Tasks;";
        var trees = blocks.Select((code, i) => CSharpSyntaxTree.ParseText(code, options, path: $"sdk.md block {i + 1}"))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, options, path: "usings"));
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
            .DistinctBy(Path.GetFileName)
            .Where(path => !Path.GetFileName(path).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create("SdkGuide", trees, references, new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        using var output = new MemoryStream();
        var result = compilation.Emit(output);

        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.True(result.Success, string.Join("\n", errors));
    }

    [GeneratedRegex("```csharp\\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
