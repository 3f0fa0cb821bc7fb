using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Herald.Client;

/// <summary>
/// The one place Herald's options are checked, once, when the host starts: each property's own attributes
/// (<see cref="RangeAttribute"/>, <see cref="RequiredAttribute"/>), then the rules between properties. Every message names
/// the setting it is about.
/// </summary>
internal static class OptionsChecks
{
    /// <summary>The failures of <paramref name="options"/>'s own attributes, each naming its property.</summary>
    public static List<string> Attributes(object options, string prefix = "")
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => prefix + r.ErrorMessage)];
    }

    public static ValidateOptionsResult Result(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
}
