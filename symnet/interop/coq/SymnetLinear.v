(* SymnetLinear.v -- the general collapse theorem behind symnet's linear certificates.

   Vectors are lists of reals and matrices lists of rows.  A network is a
   list of layers, input side first; layer l computes
       u |-> act_l (W_l u + b_l)           (entrywise).
   symnet's certificate states the output row C = [b_{L+1} | W_{L+1}] and,
   for each hidden layer whose activation is t |-> a t + d, the augmented
   factor P_l = [[1, 0], [a b_l + d, a W_l]] with (1, u_l) = P_l (1, u_{l-1}).
   The theorem [collapse] below says, for ANY list of such layers of ANY
   widths (by induction on the depth), that the network computes the single
   affine map x |-> (C P_L ... P_1) (1, x); [conclude_explicit] and
   [conclude_product] read Wstar and bstar off that product.

   Every definition is total: a dot product of lists of different lengths
   stops at the shorter one, so no lemma needs a length hypothesis.

   The second half lifts the same operations from Q to R (Q2R is a ring
   morphism) and gives a boolean entrywise comparison of Q-matrices, so a
   numeric certificate is checked by computation ([vm_compute]) instead of
   by [lra] or [field] on every entry. *)

From Coq Require Import Reals List Lra Lia QArith Qreals.
Import ListNotations.
Local Open Scope R_scope.

Definition vector := list R.
Definition matrix := list (list R).

Fixpoint dot (r u : vector) : R :=
  match r, u with
  | a :: r', b :: u' => a * b + dot r' u'
  | _, _ => 0
  end.

Definition mv (M : matrix) (u : vector) : vector := map (fun r => dot r u) M.

Fixpoint zip_with {A B C : Type} (f : A -> B -> C) (l1 : list A) (l2 : list B) : list C :=
  match l1, l2 with
  | a :: l1', b :: l2' => f a b :: zip_with f l1' l2'
  | _, _ => []
  end.

(* Vector addition pads the shorter vector with zeros. *)
Fixpoint vadd (u v : vector) : vector :=
  match u, v with
  | a :: u', b :: v' => (a + b) :: vadd u' v'
  | [], _ => v
  | _, [] => u
  end.

Definition vscale (a : R) (u : vector) : vector := map (Rmult a) u.

(* Row vector times matrix: sum_k r_k B_k. *)
Fixpoint vm (r : vector) (B : matrix) : vector :=
  match r, B with
  | a :: r', row :: B' => vadd (vscale a row) (vm r' B')
  | _, _ => []
  end.

Definition mm (A B : matrix) : matrix := map (fun r => vm r B) A.

(* [b | W]: the bias column followed by the weights, row by row. *)
Definition bcols (b : vector) (W : matrix) : matrix := zip_with (fun c r => c :: r) b W.

Record layer := mk_layer { weights : matrix; biases : vector; act : R -> R }.

Definition eval_layer (l : layer) (u : vector) : vector :=
  zip_with (fun r c => act l (dot r u + c)) (weights l) (biases l).

Fixpoint eval (ls : list layer) (x : vector) : vector :=
  match ls with
  | [] => x
  | l :: ls' => eval ls' (eval_layer l x)
  end.

(* The linear form x |-> W x + b. *)
Definition affine (W : matrix) (b : vector) (x : vector) : vector :=
  zip_with (fun r c => dot r x + c) W b.

(* The augmented factor of a layer with activation t |-> a t + d and fan-in n. *)
Definition aug (a d : R) (W : matrix) (b : vector) (n : nat) : matrix :=
  (1 :: repeat 0 n) :: zip_with (fun r c => (a * c + d) :: vscale a r) W b.

(* ... and of an identity layer: the seed's [[1, 0], [b, W]]. *)
Definition aug_id (W : matrix) (b : vector) (n : nat) : matrix :=
  (1 :: repeat 0 n) :: bcols b W.

(* C P_L ... P_1, multiplied from the left as the certificate lists the factors. *)
Fixpoint prod (M : matrix) (Fs : list matrix) : matrix :=
  match Fs with
  | [] => M
  | F :: Fs' => prod (mm M F) Fs'
  end.

Fixpoint apply_all (Fs : list matrix) (v : vector) : vector :=
  match Fs with
  | [] => v
  | F :: Fs' => mv F (apply_all Fs' v)
  end.

(* Entrywise comparison of two stated matrices: split the lists, then prove
   each entry by reflexivity, ring or field.  Used by the generated files. *)
Lemma cons_eq : forall {A : Type} (a b : A) (l m : list A), a = b -> l = m -> a :: l = b :: m.
Proof. intros A a b l m -> ->. reflexivity. Qed.

Ltac split_entries :=
  repeat match goal with
         | |- cons _ _ = cons _ _ => apply cons_eq
         | |- nil = nil => reflexivity
         end.
(* lra proves a polynomial identity fastest (monomials are its atoms); ring
   and field are the fall-backs.  [clear - x] first drops the context the
   entry does not mention, which otherwise slows every tactic down. *)
Ltac entry := first [lra | ring | field].
Ltac entries := split_entries; entry.
Ltac entries_in x := split_entries; clear - x; entry.

(* ------------------------------------------------------------ algebra *)
Lemma dot_vadd : forall v w u, dot (vadd v w) u = dot v u + dot w u.
Proof.
  induction v as [|a v IH]; intros w u.
  - simpl. ring.
  - destruct w as [|b w]; destruct u as [|c u]; simpl; try ring.
    rewrite IH. ring.
Qed.

Lemma dot_vscale : forall a v u, dot (vscale a v) u = a * dot v u.
Proof.
  intros a v; induction v as [|x v IH]; intros u; destruct u as [|c u]; simpl; try ring.
  unfold vscale in IH. rewrite IH. ring.
Qed.

Lemma dot_vm : forall r B u, dot (vm r B) u = dot r (mv B u).
Proof.
  induction r as [|a r IH]; intros B u; destruct B as [|row B]; simpl; try ring.
  rewrite dot_vadd, dot_vscale, IH. reflexivity.
Qed.

Lemma mv_mm : forall A B u, mv (mm A B) u = mv A (mv B u).
Proof.
  intros A B u. unfold mv at 1, mm. rewrite map_map.
  apply map_ext. intros r. apply dot_vm.
Qed.

Lemma dot_repeat0 : forall n u, dot (repeat 0 n) u = 0.
Proof.
  induction n as [|n IH]; intros u; destruct u; simpl; try ring.
  rewrite IH. ring.
Qed.

Lemma mv_prod : forall Fs M v, mv (prod M Fs) v = mv M (apply_all Fs v).
Proof.
  induction Fs as [|F Fs IH]; intros M v; simpl.
  - reflexivity.
  - rewrite IH, mv_mm. reflexivity.
Qed.

Lemma eval_app : forall ls l x, eval (ls ++ [l]) x = eval_layer l (eval ls x).
Proof.
  induction ls as [|l0 ls IH]; intros l x; simpl.
  - reflexivity.
  - apply IH.
Qed.

(* -------------------------------------------- the rules of a certificate *)

(* read_output_layer:  y_hat = C (1, y)  with  C = [b_{L+1} | W_{L+1}]. *)
Lemma read_output_spec : forall W b (f : R -> R) C,
  (forall t, f t = t) -> C = bcols b W ->
  forall y, eval_layer (mk_layer W b f) y = mv C (1 :: y).
Proof.
  intros W b f C Hf HC y. subst C. unfold eval_layer, mv, bcols; simpl.
  revert b. induction W as [|r W IH]; intros b; destruct b as [|c b]; simpl; try reflexivity.
  rewrite Hf, IH. f_equal. ring.
Qed.

Lemma zip_aug : forall a d (f : R -> R) W b u,
  (forall t, f t = a * t + d) ->
  zip_with (fun r c => f (dot r u + c)) W b =
  map (fun r => dot r (1 :: u)) (zip_with (fun r c => (a * c + d) :: vscale a r) W b).
Proof.
  intros a d f W. induction W as [|r W IH]; intros b u Hf; destruct b as [|c b]; simpl; try reflexivity.
  rewrite (IH b u Hf), Hf, dot_vscale. f_equal. ring.
Qed.

(* substitute_layer:  act_l(t) = a t + d  |-  (1, u_l) = P_l (1, u_{l-1}). *)
Lemma substitute_spec : forall a d W b n (f : R -> R) P,
  (forall t, f t = a * t + d) -> P = aug a d W b n ->
  forall u, 1 :: eval_layer (mk_layer W b f) u = mv P (1 :: u).
Proof.
  intros a d W b n f P Hf HP u. subst P. unfold aug, mv, eval_layer; simpl.
  rewrite dot_repeat0. f_equal; [ring | apply (zip_aug a d f W b u Hf)].
Qed.

Lemma substitute_id_spec : forall W b n (f : R -> R) P,
  (forall t, f t = t) -> P = aug_id W b n ->
  forall u, 1 :: eval_layer (mk_layer W b f) u = mv P (1 :: u).
Proof.
  intros W b n f P Hf HP u. subst P. unfold aug_id, mv, eval_layer, bcols; simpl.
  rewrite dot_repeat0. f_equal; [ring|].
  revert b. induction W as [|r W IH]; intros b; destruct b as [|c b]; simpl; try reflexivity.
  rewrite Hf, IH. f_equal. ring.
Qed.

(* The chain of substitutions, hidden layers input side first, factors P_L ... P_1. *)
Inductive chain : list layer -> list matrix -> Prop :=
  | chain_nil : chain [] []
  | chain_step : forall ls Ps l P,
      chain ls Ps -> (forall u, 1 :: eval_layer l u = mv P (1 :: u)) ->
      chain (ls ++ [l]) (P :: Ps).

Lemma chain_spec : forall ls Ps, chain ls Ps ->
  forall x, 1 :: eval ls x = apply_all Ps (1 :: x).
Proof.
  intros ls Ps H. induction H as [|ls Ps l P H IH HP]; intros x; simpl.
  - reflexivity.
  - rewrite eval_app, HP, IH. reflexivity.
Qed.

(* THE GENERAL THEOREM (any depth, any widths): a network whose output layer
   reads C and whose hidden layers have the factors P_L, ..., P_1 computes
   the one affine map (1, x) |-> (C P_L ... P_1) (1, x). *)
Theorem collapse : forall hidden out C Ps,
  (forall y, eval_layer out y = mv C (1 :: y)) -> chain hidden Ps ->
  forall x, eval (hidden ++ [out]) x = mv (prod C Ps) (1 :: x).
Proof.
  intros hidden out C Ps Hout Hchain x.
  rewrite eval_app, Hout, (chain_spec hidden Ps Hchain x), mv_prod. reflexivity.
Qed.

(* conclude_linear_form, explicit claim: [bstar | Wstar] = C P_L ... P_1. *)
Lemma conclude_explicit : forall Q W b, Q = bcols b W ->
  forall x, mv Q (1 :: x) = affine W b x.
Proof.
  intros Q W b HQ x. subst Q. unfold mv, affine, bcols.
  revert b. induction W as [|r W IH]; intros b; destruct b as [|c b]; simpl; try reflexivity.
  rewrite IH. f_equal. ring.
Qed.

(* conclude_linear_form, product claim: bstar is the first column of the
   product and Wstar the rest. *)
Lemma conclude_product : forall Q x,
  mv Q (1 :: x) = affine (map (@tl R) Q) (map (hd 0) Q) x.
Proof.
  intros Q x. unfold mv, affine. induction Q as [|r Q IH]; simpl; try reflexivity.
  rewrite IH. f_equal. destruct r; simpl; ring.
Qed.

(* A counterexample's lemma: an affine map takes the midpoint of two points to
   the midpoint of their images, so a network whose outputs at u, v and
   (u + v)/2 break this is not affine. *)
Definition midpoint (u v : vector) : vector := zip_with (fun a b => (a + b) / 2) u v.

Lemma dot_midpoint : forall r u v, length u = length v ->
  dot r (midpoint u v) = (dot r u + dot r v) / 2.
Proof.
  induction r as [|c r IH]; intros u v Hl; destruct u as [|a u]; destruct v as [|b v];
    simpl in *; try discriminate; try field.
  rewrite IH by lia. field.
Qed.

Lemma affine_midpoint : forall W b u v k, length u = length v ->
  nth k (affine W b (midpoint u v)) 0 = (nth k (affine W b u) 0 + nth k (affine W b v) 0) / 2.
Proof.
  intros W. unfold affine. induction W as [|r W IH]; intros b u v k Hl; destruct b as [|c b];
    destruct k; simpl; try field.
  - rewrite dot_midpoint by exact Hl. field.
  - apply IH. exact Hl.
Qed.

Theorem midpoint_refutes : forall net u v k,
  length u = length v ->
  nth k (eval net (midpoint u v)) 0 <> (nth k (eval net u) 0 + nth k (eval net v) 0) / 2 ->
  ~ exists W b, forall x, eval net x = affine W b x.
Proof.
  intros net u v k Hl Hne [W [b H]]. apply Hne. rewrite !H. apply affine_midpoint. exact Hl.
Qed.

(* A layer's output is its activation applied to its pre-activations. *)
Lemma eval_layer_map : forall W b (f : R -> R) y,
  eval_layer (mk_layer W b f) y = map f (zip_with (fun r c => dot r y + c) W b).
Proof.
  intros W b f y. unfold eval_layer; simpl. revert b.
  induction W as [|r W IH]; intros b; destruct b as [|c b]; simpl; try reflexivity.
  rewrite IH. reflexivity.
Qed.

(* One entry of a piecewise-linear or polynomial activation at a rational
   point: the innermost max, min or absolute value is decided first, each case
   by lra, then the value. *)
Ltac pl_entry :=
  unfold Rmax, Rmin, Rabs;
  repeat match goal with
         | |- context [Rle_dec ?a ?b] =>
             lazymatch a with context [Rle_dec _ _] => fail | context [Rcase_abs _] => fail | _ =>
             lazymatch b with context [Rle_dec _ _] => fail | context [Rcase_abs _] => fail | _ =>
             destruct (Rle_dec a b) end end
         | |- context [Rcase_abs ?a] =>
             lazymatch a with context [Rle_dec _ _] => fail | context [Rcase_abs _] => fail | _ =>
             destruct (Rcase_abs a) end
         end;
  first [lra | field | nra].

(* ---------------------------------------- exact rationals, by computation *)
Fixpoint dotQ (r u : list Q) : Q :=
  match r, u with
  | a :: r', b :: u' => (a * b + dotQ r' u')%Q
  | _, _ => 0%Q
  end.
Fixpoint vaddQ (u v : list Q) : list Q :=
  match u, v with
  | a :: u', b :: v' => (a + b)%Q :: vaddQ u' v'
  | [], _ => v
  | _, [] => u
  end.
Definition vscaleQ (a : Q) (u : list Q) : list Q := map (Qmult a) u.
Fixpoint vmQ (r : list Q) (B : list (list Q)) : list Q :=
  match r, B with
  | a :: r', row :: B' => vaddQ (vscaleQ a row) (vmQ r' B')
  | _, _ => []
  end.
Definition mmQ (A B : list (list Q)) : list (list Q) := map (fun r => vmQ r B) A.
Fixpoint prodQ (M : list (list Q)) (Fs : list (list (list Q))) : list (list Q) :=
  match Fs with
  | [] => M
  | F :: Fs' => prodQ (mmQ M F) Fs'
  end.
Definition bcolsQ (b : list Q) (W : list (list Q)) : list (list Q) := zip_with (fun c r => c :: r) b W.
Definition augQ (a d : Q) (W : list (list Q)) (b : list Q) (n : nat) : list (list Q) :=
  (1%Q :: repeat 0%Q n) :: zip_with (fun r c => (a * c + d)%Q :: vscaleQ a r) W b.

Definition liftV (u : list Q) : vector := map Q2R u.
Definition liftM (M : list (list Q)) : matrix := map liftV M.

Lemma Q2R_0 : Q2R 0 = 0.
Proof. unfold Q2R; simpl. field. Qed.
Lemma Q2R_1 : Q2R 1 = 1.
Proof. unfold Q2R; simpl. field. Qed.

Lemma act_id_Q : forall t, t = Q2R 1 * t + Q2R 0.
Proof. intros t. rewrite Q2R_0, Q2R_1. ring. Qed.

Lemma vadd_lift : forall u v, vadd (liftV u) (liftV v) = liftV (vaddQ u v).
Proof.
  induction u as [|a u IH]; intros v; destruct v as [|b v]; simpl; try reflexivity.
  unfold liftV in IH. rewrite IH, Q2R_plus. reflexivity.
Qed.

Lemma vscale_lift : forall a u, vscale (Q2R a) (liftV u) = liftV (vscaleQ a u).
Proof.
  intros a u. unfold vscale, vscaleQ, liftV. rewrite !map_map.
  apply map_ext. intros x. rewrite Q2R_mult. reflexivity.
Qed.

Lemma vm_lift : forall r B, vm (liftV r) (liftM B) = liftV (vmQ r B).
Proof.
  induction r as [|a r IH]; intros B; destruct B as [|row B]; simpl; try reflexivity.
  unfold liftV, liftM in *. rewrite <- vadd_lift. f_equal.
  - apply vscale_lift.
  - apply IH.
Qed.

Lemma mm_lift : forall A B, mm (liftM A) (liftM B) = liftM (mmQ A B).
Proof.
  intros A B. unfold mm, mmQ, liftM. rewrite !map_map.
  apply map_ext. intros r. apply vm_lift.
Qed.

Lemma prod_lift : forall Fs M, prod (liftM M) (map liftM Fs) = liftM (prodQ M Fs).
Proof.
  induction Fs as [|F Fs IH]; intros M; simpl; try reflexivity.
  rewrite mm_lift. apply IH.
Qed.

Lemma bcols_lift : forall b W, bcols (liftV b) (liftM W) = liftM (bcolsQ b W).
Proof.
  unfold bcols, bcolsQ, liftM, liftV.
  induction b as [|c b IH]; intros W; destruct W as [|r W]; simpl; try reflexivity.
  rewrite IH. reflexivity.
Qed.

Lemma aug_lift : forall a d W b n,
  aug (Q2R a) (Q2R d) (liftM W) (liftV b) n = liftM (augQ a d W b n).
Proof.
  intros a d W b n. unfold aug, augQ, liftM, liftV. simpl. f_equal.
  - rewrite Q2R_1. f_equal. induction n as [|n IH]; simpl; try reflexivity.
    rewrite IH, Q2R_0. reflexivity.
  - revert b. induction W as [|r W IH]; intros b; destruct b as [|c b]; simpl; try reflexivity.
    rewrite IH. f_equal. f_equal.
    + rewrite Q2R_plus, Q2R_mult. reflexivity.
    + apply vscale_lift.
Qed.

Fixpoint veqb (u v : list Q) : bool :=
  match u, v with
  | [], [] => true
  | a :: u', b :: v' => Qeq_bool a b && veqb u' v'
  | _, _ => false
  end.
Fixpoint meqb (A B : list (list Q)) : bool :=
  match A, B with
  | [], [] => true
  | r :: A', s :: B' => veqb r s && meqb A' B'
  | _, _ => false
  end.

Lemma veqb_lift : forall u v, veqb u v = true -> liftV u = liftV v.
Proof.
  induction u as [|a u IH]; intros v H; destruct v as [|b v]; simpl in *; try discriminate; try reflexivity.
  apply andb_true_iff in H. destruct H as [Hab Huv].
  apply Qeq_bool_iff in Hab. apply Qeq_eqR in Hab.
  unfold liftV in *. simpl. rewrite Hab. f_equal. apply IH. exact Huv.
Qed.

Lemma meqb_lift : forall A B, meqb A B = true -> liftM A = liftM B.
Proof.
  induction A as [|r A IH]; intros B H; destruct B as [|s B]; simpl in *; try discriminate; try reflexivity.
  apply andb_true_iff in H. destruct H as [Hrs HAB].
  unfold liftM in *. simpl. rewrite (veqb_lift r s Hrs). f_equal. apply IH. exact HAB.
Qed.

(* The numeric rules, each reduced to one boolean computation. *)
Lemma read_output_Q : forall W b (f : R -> R) C,
  (forall t, f t = t) -> meqb C (bcolsQ b W) = true ->
  forall y, eval_layer (mk_layer (liftM W) (liftV b) f) y = mv (liftM C) (1 :: y).
Proof.
  intros W b f C Hf HC. apply read_output_spec; [exact Hf|].
  rewrite bcols_lift. apply meqb_lift. exact HC.
Qed.

Lemma substitute_Q : forall a d W b n (f : R -> R) P,
  (forall t, f t = Q2R a * t + Q2R d) -> meqb P (augQ a d W b n) = true ->
  forall u, 1 :: eval_layer (mk_layer (liftM W) (liftV b) f) u = mv (liftM P) (1 :: u).
Proof.
  intros a d W b n f P Hf HP. apply (substitute_spec (Q2R a) (Q2R d) _ _ n); [exact Hf|].
  rewrite aug_lift. apply meqb_lift. exact HP.
Qed.

Lemma conclude_Q : forall C Ps W b, meqb (prodQ C Ps) (bcolsQ b W) = true ->
  forall x, mv (prod (liftM C) (map liftM Ps)) (1 :: x) = affine (liftM W) (liftV b) x.
Proof.
  intros C Ps W b H x. apply conclude_explicit.
  rewrite prod_lift, bcols_lift. apply meqb_lift. exact H.
Qed.
