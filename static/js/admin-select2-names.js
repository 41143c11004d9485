'use strict';
// Accessible names for the admin's autocomplete widgets (select2 4.0, as Django ships it).
// select2 hides the labelled <select> and draws its own boxes, which name themselves only by
// the value chosen: a screen reader hears "Trier" without the question, and the search field
// of a multiple choice or of the open list has no name at all (axe: aria-input-field-name,
// label). Each box is tied to the <select>'s <label> by aria-labelledby. Load after the
// admin's autocomplete.js, which sets the widgets up (offers/admin/list_filters.py,
// offers/admin/offer_form.py).
{
    const $ = django.jQuery;

    function labelId(select) {
        const label = select.id && document.querySelector('label[for="' + select.id + '"]');
        if (!label) {
            return null;
        }
        label.id = label.id || select.id + '-label';
        return label.id;
    }

    function name(select) {
        const widget = $(select).data('select2');
        const id = widget && labelId(select);
        if (!id) {
            return;
        }
        const box = widget.$selection[0];
        const rendered = box.querySelector('.select2-selection__rendered');
        if (box.classList.contains('select2-selection--multiple')) {
            box.setAttribute('aria-labelledby', id);
            box.querySelectorAll('.select2-search__field').forEach(function(field) {
                field.setAttribute('aria-labelledby', id);
            });
            // The "remove all" cross select2 puts among the chosen items is for the mouse
            // (the keyboard removes with Backspace); a <ul> may only hold list items.
            // select2 removes the cross on every change and leaves its item behind.
            box.querySelectorAll('li.select2-selection__clear-item:empty').forEach(function(item) {
                item.remove();
            });
            box.querySelectorAll('ul > .select2-selection__clear').forEach(function(cross) {
                cross.setAttribute('aria-hidden', 'true');
                const item = document.createElement('li');
                item.className = 'select2-selection__clear-item';
                cross.replaceWith(item);
                item.appendChild(cross);
            });
        } else if (rendered && rendered.id) {
            // The box with the chosen value is a read-only text box of its own: named by the
            // label too. The combobox reads the question, then the answer ("Einsatzregion
            // suchen Trier").
            rendered.setAttribute('aria-labelledby', id);
            box.setAttribute('aria-labelledby', id + ' ' + rendered.id);
        }
    }

    function nameOpenList(select) {
        const widget = $(select).data('select2');
        const id = widget && labelId(select);
        if (!id) {
            return;
        }
        widget.$dropdown.find('.select2-search__field').attr('aria-labelledby', id);
        // ARIA 1.2: an expanded combobox names the list it controls (select2 4.0 only
        // sets aria-owns).
        const box = widget.$selection[0];
        const owns = box.getAttribute('aria-owns');
        if (owns) {
            box.setAttribute('aria-controls', owns);
        }
    }

    $(function() {
        $('select.admin-autocomplete').each(function() {
            name(this);
        });
        $(document).on('change select2:select select2:unselect', 'select.admin-autocomplete',
            function() {
                name(this);
            });
        $(document).on('select2:open', 'select.admin-autocomplete', function() {
            nameOpenList(this);
        });
        $(document).on('select2:close', 'select.admin-autocomplete', function() {
            const widget = $(this).data('select2');
            if (widget) {
                widget.$selection[0].removeAttribute('aria-controls');
            }
        });
    });
}
