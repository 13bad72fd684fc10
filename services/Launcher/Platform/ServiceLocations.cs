using System.Reflection;
using Chronicle.Launcher.Catalog;

namespace Chronicle.Launcher.Platform;

/// <summary>
/// Where the services' build output is: <c>services/{Name}/bin/{Configuration}/{TargetFramework}/Chronicle.{Name}.dll</c>,
/// in the configuration the launcher itself was built in.
/// </summary>
public sealed record ServiceLocations(string ServicesDirectory, string Configuration, string TargetFramework)
{
    public static ServiceLocations OfThisBuild()
    {
        var metadata = typeof(ServiceLocations).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
        return new ServiceLocations(metadata["ServicesDirectory"]!, metadata["Configuration"]!, metadata["TargetFramework"]!);
    }

    public string Project(ServiceDefinition service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return Path.Combine(ServicesDirectory, service.Name, $"{service.AssemblyName}.csproj");
    }

    public string Assembly(ServiceDefinition service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return Path.Combine(ServicesDirectory, service.Name, "bin", Configuration, TargetFramework, $"{service.AssemblyName}.dll");
    }

    /// <summary>Why the service cannot be started from this build, or null when it can.</summary>
    public string? WhyNotRunnable(ServiceDefinition service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service.NotAServiceYet is { } reason)
            return $"not a service yet: {reason}";
        if (!File.Exists(Project(service)))
            return $"not built yet: there is no {Path.GetRelativePath(Path.GetDirectoryName(ServicesDirectory)!, Project(service))}";
        if (!File.Exists(Assembly(service)))
            return $"not built yet: {Assembly(service)} is missing (dotnet build -c {Configuration})";
        return null;
    }
}
