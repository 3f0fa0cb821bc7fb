using System.Text.RegularExpressions;
using Herald.Testing;

namespace Shop.Tests;

/// <summary>docs/shop.md quotes the shop's code: every line it quotes must still be in samples/Shop.</summary>
public sealed partial class ShopGuideTests
{
    [Fact]
    public void Every_line_of_code_the_guide_quotes_is_in_the_samples()
    {
        var samples = Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "samples", "Shop"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(File.ReadLines)
            .Select(Normalize)
            .ToHashSet(StringComparer.Ordinal);
        var guide = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "shop.md"));
        var quoted = CSharpBlock().Matches(guide).SelectMany(block => block.Groups[1].Value.Split('\n')).Select(Normalize)
            .Where(line => line.Length > 1 && !line.StartsWith("// ...", StringComparison.Ordinal))
            .ToList();

        Assert.True(quoted.Count > 30, $"only {quoted.Count} quoted lines found");
        var missing = quoted.Where(line => !samples.Contains(line)).ToList();
        Assert.True(missing.Count == 0, "quoted in docs/shop.md but not in samples/Shop:\n" + string.Join('\n', missing));
    }

    // Without indentation and end-of-line comments, and with "/* ... */" (the guide's elisions) taken out.
    private static string Normalize(string line)
    {
        var code = Elision().Replace(line, "").Trim();
        var comment = code.IndexOf(" //", StringComparison.Ordinal);
        return (comment >= 0 ? code[..comment] : code).Trim();
    }

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@",? ?/\* \.\.\. \*/")]
    private static partial Regex Elision();
}
