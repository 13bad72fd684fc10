using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Security;

/// <summary>Secure by default: a service that serves patient data enforces tokens unless told, explicitly, not to.</summary>
public static class SecurityStartup
{
    /// <summary>Set <c>Chronicle:Security:Disabled=true</c> to run with no token checks at all (tests about something else, never production).</summary>
    public const string DisabledSetting = ChronicleSecurityOptions.Section + ":Disabled";

    /// <summary>
    /// Registers <see cref="SecurityServiceCollectionExtensions.AddChronicleSecurity(IServiceCollection, IConfiguration, Action{ChronicleSecurityOptions}?)"/>
    /// with the gRPC interceptor that enforces scopes and relationships on every method, and returns true; or, with
    /// <see cref="DisabledSetting"/> true, writes a warning line to <paramref name="warnings"/>, records the opt-out (so
    /// <see cref="SecurityServiceCollectionExtensions.UseChronicleSecurity"/> adds nothing) and returns false. Throws the exception <paramref name="fail"/> makes (one line) when neither the authority nor
    /// the opt-out is configured.
    /// </summary>
    public static bool AddChronicleSecurityOrOptOut(this IServiceCollection services, IConfiguration configuration, string service,
        TextWriter warnings, Func<string, Exception> fail)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(warnings);
        ArgumentNullException.ThrowIfNull(fail);
        if (configuration.GetValue<bool>(DisabledSetting))
        {
            warnings.WriteLine($"WARNING: {service}: {DisabledSetting}=true: NO ACCESS TOKENS ARE CHECKED; anyone who can reach this service can read and change every record. Never run it like this with real data.");
            services.AddSingleton<SecurityOptedOut>();
            return false;
        }

        var section = configuration.GetSection(ChronicleSecurityOptions.Section);
        if (string.IsNullOrWhiteSpace(section[nameof(ChronicleSecurityOptions.Authority)]))
            throw fail($"{ChronicleSecurityOptions.Section}:{nameof(ChronicleSecurityOptions.Authority)} is not set: give the Identity service's issuer URL, or set {DisabledSetting}=true to run without token checks.");
        services.AddChronicleSecurity(configuration);
        services.AddGrpc(o => o.AddChronicleSecurity());
        // A service host asks Identity by service invocation (through its sidecar), never by an address of its own.
        services.AddIdentityAccessClient();
        return true;
    }

    /// <summary>Whether this service enforces tokens (security was registered), for code that also runs in hosts without it.</summary>
    public static bool IsEnforced(IServiceProvider services) =>
        services.GetService<IPatientAccessChecker>() is not null;
}

/// <summary>The record that a host was explicitly told to run without token checks.</summary>
internal sealed class SecurityOptedOut;
