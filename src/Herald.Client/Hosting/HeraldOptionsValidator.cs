using Microsoft.Extensions.Options;

namespace Herald.Client;

/// <summary>Checks <see cref="HeraldOptions"/>.</summary>
internal sealed class HeraldOptionsValidator : IValidateOptions<HeraldOptions>
{
    public ValidateOptionsResult Validate(string? name, HeraldOptions options) => OptionsChecks.Result(OptionsChecks.Attributes(options));
}
