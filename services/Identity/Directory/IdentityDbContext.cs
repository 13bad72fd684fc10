using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Chronicle.Identity.Directory;

/// <summary>
/// The Identity service's database: OpenIddict's stores, the directory, registrations and signing keys. One subclass
/// per provider (<see cref="Schema.SqliteIdentityDbContext"/>, <see cref="Schema.PostgresIdentityDbContext"/>), each
/// with its own migrations; the services use this type.
/// </summary>
public abstract class IdentityDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Practice> Practices => Set<Practice>();
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<StaffAccount> Staff => Set<StaffAccount>();
    public DbSet<PatientAccount> PatientAccounts => Set<PatientAccount>();
    public DbSet<SupplierModule> Modules => Set<SupplierModule>();
    public DbSet<ModuleEnablement> ModuleEnablements => Set<ModuleEnablement>();
    public DbSet<Registration> Registrations => Set<Registration>();
    public DbSet<ProcessedEvent> ProcessedEvents => Set<ProcessedEvent>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();

    /// <summary>The ASP.NET Core data-protection key ring, shared by every replica (cookies, antiforgery, protected signing keys).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        base.OnModelCreating(modelBuilder);

        modelBuilder.Entity<Practice>(e =>
        {
            e.ToTable("practices");
            e.HasKey(p => p.OdsCode);
            e.Property(p => p.OdsCode).HasMaxLength(16);
            e.Property(p => p.Name).HasMaxLength(200);
        });

        modelBuilder.Entity<Account>(e =>
        {
            e.ToTable("accounts");
            e.HasKey(a => a.Id);
            e.HasDiscriminator<string>("kind").HasValue<StaffAccount>("staff").HasValue<PatientAccount>("patient");
            e.Property(a => a.UserName).HasMaxLength(100);
            e.HasIndex(a => a.UserName).IsUnique();
            e.Property(a => a.DisplayName).HasMaxLength(200);
        });
        modelBuilder.Entity<StaffAccount>(e =>
        {
            e.Property(a => a.Role).HasMaxLength(32);
            e.Property(a => a.PracticeOds).HasMaxLength(16);
            e.HasOne<Practice>().WithMany().HasForeignKey(a => a.PracticeOds).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<PatientAccount>(e => e.HasIndex(a => a.PatientId).IsUnique());

        modelBuilder.Entity<SupplierModule>(e =>
        {
            e.ToTable("supplier_modules");
            e.HasKey(m => m.ClientId);
            e.Property(m => m.ClientId).HasMaxLength(100);
            e.Property(m => m.Name).HasMaxLength(200);
        });

        modelBuilder.Entity<ModuleEnablement>(e =>
        {
            e.ToTable("module_enablements");
            e.HasKey(m => new { m.PracticeOds, m.ClientId });
            e.HasOne<Practice>().WithMany().HasForeignKey(m => m.PracticeOds).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<SupplierModule>().WithMany().HasForeignKey(m => m.ClientId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<Registration>(e =>
        {
            e.ToTable("registrations");
            e.HasKey(r => r.PatientId);
            e.Property(r => r.PracticeOds).HasMaxLength(16);
            e.HasIndex(r => r.PracticeOds);
        });

        modelBuilder.Entity<ProcessedEvent>(e =>
        {
            e.ToTable("processed_events");
            e.HasKey(p => p.EventId);
        });

        modelBuilder.Entity<SigningKey>(e =>
        {
            e.ToTable("signing_keys");
            e.HasKey(k => k.KeyId);
            e.Property(k => k.KeyId).HasMaxLength(64);
        });

        modelBuilder.Entity<DataProtectionKey>(e => e.ToTable("data_protection_keys"));

        // Instants are stored as UTC ticks on every provider: SQLite cannot compare DateTimeOffset values, and one
        // model serves both providers (EF caches the model per context type).
        {
            var ticks = new ValueConverter<DateTimeOffset, long>(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));
            foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(t => t.GetProperties())
                         .Where(p => Nullable.GetUnderlyingType(p.ClrType) == typeof(DateTimeOffset) || p.ClrType == typeof(DateTimeOffset)))
                property.SetValueConverter(ticks);
        }
    }
}
