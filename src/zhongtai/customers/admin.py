from typing import Any

from django.contrib import admin

from zhongtai.customers.models import Asset, Contact, Customer


class ContactInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Contact
    extra = 0
    fields = ["name", "email", "phone", "user"]
    raw_id_fields = ["user"]


class AssetInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Asset
    extra = 0
    fields = [
        "product_line",
        "product_model",
        "serial_number",
        "site",
        "installed_on",
        "warranty_ends_on",
        "external_id",
    ]


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "serial_number",
        "product_model",
        "product_line",
        "customer",
        "warranty_ends_on",
    ]
    list_filter = ["tenant", "product_line"]
    search_fields = ["serial_number", "product_model", "external_id", "customer__name"]
    raw_id_fields = ["customer"]

    def save_model(self, request: Any, obj: Asset, form: Any, change: bool) -> None:
        obj.tenant_id = obj.customer.tenant_id
        super().save_model(request, obj, form, change)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "tenant", "tier"]
    list_filter = ["tenant", "tier"]
    search_fields = ["name"]
    inlines = [ContactInline, AssetInline]

    def save_model(self, request: Any, obj: Customer, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "tier" in form.changed_data:
            # SLA policies match on the tier: the customer's open tickets are recomputed.
            from zhongtai.sla.clocks import standards_changed

            standards_changed(tenant_id=obj.tenant_id, customer_id=obj.pk, reason="customer_tier")

    def save_formset(self, request: object, form: object, formset: object, change: bool) -> None:
        # Contacts added inline belong to the customer's tenant.
        instances = formset.save(commit=False)  # type: ignore[attr-defined]
        for row in instances:  # (contacts and assets)
            row.tenant_id = row.customer.tenant_id
            row.save()
        formset.save_m2m()  # type: ignore[attr-defined]
        for obj in formset.deleted_objects:  # type: ignore[attr-defined]
            obj.delete()


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "customer", "email", "tenant"]
    list_filter = ["tenant"]
    search_fields = ["name", "email", "customer__name"]
    raw_id_fields = ["customer", "user"]
