using Chronicle.Security;

namespace Chronicle.Identity.Directory;

/// <summary>Which SMART scopes each kind of user may be granted, and the check that a requested scope fits an allowance.</summary>
public static class ScopePolicy
{
    private static readonly Dictionary<string, SmartScope[]> StaffAllowances = new(StringComparer.Ordinal)
    {
        [StaffRoles.Gp] = [SmartScope.Parse("user/*.cruds")],
        [StaffRoles.Nurse] = [SmartScope.Parse("user/*.cruds")],
        [StaffRoles.Prescriber] = [SmartScope.Parse("user/*.cruds")],
        [StaffRoles.Receptionist] =
        [
            SmartScope.Parse("user/Patient.cruds"), SmartScope.Parse("user/Appointment.cruds"),
            SmartScope.Parse("user/Slot.rs"), SmartScope.Parse("user/Schedule.rs"),
        ],
        [StaffRoles.PracticeManager] =
        [
            SmartScope.Parse("user/Patient.rs"), SmartScope.Parse("user/Organization.rs"),
            SmartScope.Parse("user/Practitioner.rs"), SmartScope.Parse("user/Appointment.rs"),
        ],
        [StaffRoles.Auditor] = [SmartScope.Parse("user/*.rs")],
    };

    private static readonly SmartScope[] PatientAllowance =
    [
        SmartScope.Parse("patient/*.rs"), SmartScope.Parse("patient/Appointment.cud"), SmartScope.Parse("patient/MedicationRequest.c"),
    ];

    /// <summary>Scopes that are not clinical and any signed-in user may have.</summary>
    public static readonly IReadOnlySet<string> UserProtocolScopes = new HashSet<string>(StringComparer.Ordinal)
    {
        "openid", "profile", "offline_access", "fhirUser",
    };

    public static IReadOnlyList<SmartScope> AllowanceFor(Account account) => account switch
    {
        StaffAccount staff => StaffAllowances.GetValueOrDefault(staff.Role, []),
        PatientAccount => PatientAllowance,
        _ => [],
    };

    /// <summary>
    /// What a user is granted of what they asked for: protocol scopes, and each clinical scope narrowed to what their
    /// allowance permits (asking for user/*.cruds as an auditor gives user/*.rs); the rest is dropped.
    /// </summary>
    public static IReadOnlyList<string> GrantForUser(Account account, IEnumerable<string> requested)
    {
        var allowance = AllowanceFor(account);
        var granted = new List<string>();
        foreach (var scope in requested)
        {
            if (UserProtocolScopes.Contains(scope))
                granted.Add(scope);
            else if (SmartScope.TryParse(scope, out var smart))
                granted.AddRange(allowance.Select(a => a.Intersect(smart)).OfType<SmartScope>().Select(s => s.ToString()));
        }

        return granted.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The requested scopes a module may not have (each must be a system/ scope its registration covers).</summary>
    public static IReadOnlyList<string> RefusedForModule(string allowedScopes, IEnumerable<string> requested)
    {
        var allowance = SmartScope.ParseList(allowedScopes);
        return requested.Where(scope => !SmartScope.TryParse(scope, out var smart)
                || smart.Context != ScopeContext.System
                || !allowance.Any(a => a.Covers(smart)))
            .ToList();
    }

    /// <summary>Scopes a module may register for: system/ clinical scopes only.</summary>
    public static bool IsRegistrableModuleScope(string scope) =>
        SmartScope.TryParse(scope, out var smart) && smart.Context == ScopeContext.System;
}
