'use strict';
// The admin list's autocomplete filters (offers/admin/list_filters.AutocompleteFilter):
// choosing or clearing a value shows the list filtered by it. The admin's autocomplete.js
// turns the selects into select2 widgets; this only submits their forms.
{
    const $ = django.jQuery;
    $(function() {
        $('.autocomplete-filter__select').each(function() {
            // select2's box names itself only by the value chosen: give it the label too.
            const label = document.querySelector('label[for="' + this.id + '"]');
            const box = document.getElementById('select2-' + this.id + '-container');
            if (label && box) {
                box.setAttribute('aria-label', label.textContent.trim());
            }
        });
        $('.autocomplete-filter__select').on('change', function() {
            if (!this.value) {
                this.disabled = true;  // no empty parameter in the address
            }
            this.form.submit();
        });
    });
}
