(function(){
  'use strict';
  var form=document.getElementById('filters');
  if(form){
    form.hidden=false;
    var apply=function(){
      var v=form.verdict.value,c=form.category.value,p=form.platform.value;
      document.querySelectorAll('article[data-verdict]').forEach(function(a){
        var ok=(!v||a.dataset.verdict===v)&&(!c||(' '+a.dataset.categories+' ').indexOf(' '+c+' ')>=0)
          &&(!p||a.dataset.platform===p);a.hidden=!ok;});
      document.querySelectorAll('section.creator').forEach(function(s){
        var any=s.querySelector('article[data-verdict]:not([hidden])');s.hidden=!any&&!!(v||c||p);});
    };
    form.addEventListener('change',apply);
  }
  var table=document.getElementById('creators');
  if(!table){return;}
  var hint=document.getElementById('sort-hint');if(hint){hint.hidden=false;}
  var sections=document.getElementById('sections');
  var heads=Array.prototype.slice.call(table.querySelectorAll('th[data-first]'));
  heads.forEach(function(th){
    th.tabIndex=0;th.setAttribute('aria-sort','none');
    var sort=function(){
      var i=th.cellIndex,now=th.getAttribute('aria-sort');
      var dir=now==='none'?th.dataset.first:(now==='ascending'?'descending':'ascending');
      heads.forEach(function(h){h.setAttribute('aria-sort','none');});
      th.setAttribute('aria-sort',dir);
      var sign=dir==='ascending'?1:-1,numeric=th.dataset.type==='number';
      var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){
        var x=a.cells[i].dataset.sort,y=b.cells[i].dataset.sort;
        if(!numeric){return sign*x.localeCompare(y);}
        if(x===''||y===''){return (x==='')-(y==='');}
        return sign*(parseFloat(x)-parseFloat(y));});
      rows.forEach(function(r){
        body.appendChild(r);
        var s=sections&&document.getElementById(r.dataset.section);if(s){sections.appendChild(s);}});
    };
    th.addEventListener('click',sort);
    th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();sort();}});
  });
})();
