'use strict';
// The admin list's autocomplete filters (offers/admin/list_filters.AutocompleteFilter):
// choosing or clearing a value shows the list filtered by it. The admin's autocomplete.js
// turns the selects into select2 widgets and admin-select2-names.js names them by their
// labels; this only submits their forms.
{
    const $ = django.jQuery;
    $(function() {
        $('.autocomplete-filter__select').on('change', function() {
            if (!this.value) {
                this.disabled = true;  // no empty parameter in the address
            }
            this.form.submit();
        });
    });
}
