using Microsoft.Extensions.Logging;

namespace Chronicle.Identity.Hosting;

/// <summary>
/// OpenIddict writes whole tokens (and the claims in them) at Debug and Trace. However logging is configured, its
/// categories log at Information or above, so no token, code or secret reaches a log.
/// </summary>
public static class SecretSafeLogging
{
    private const string OpenIddictCategory = "OpenIddict";

    public static IServiceCollection KeepSecretsOutOfLogs(this IServiceCollection services) =>
        services.PostConfigure<LoggerFilterOptions>(options =>
        {
            var rules = options.Rules;
            for (var i = 0; i < rules.Count; i++)
            {
                var rule = rules[i];
                if (rule.CategoryName?.StartsWith(OpenIddictCategory, StringComparison.OrdinalIgnoreCase) == true
                    && (rule.LogLevel is null || rule.LogLevel < LogLevel.Information))
                    rules[i] = new LoggerFilterRule(rule.ProviderName, rule.CategoryName, LogLevel.Information, rule.Filter);
            }

            // A rule for the OpenIddict category beats any less specific one, for every provider a rule names.
            foreach (var provider in rules.Select(r => r.ProviderName).Distinct().ToList())
                rules.Add(new LoggerFilterRule(provider, OpenIddictCategory, LogLevel.Information, null));
        });
}
